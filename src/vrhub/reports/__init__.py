"""The Strategic Needs Assessment and district profiles, generated from measure results."""
