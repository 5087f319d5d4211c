"""The demo partnership: realistic synthetic West Yorkshire partner extracts."""
