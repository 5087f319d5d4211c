"""The partner data-quality scorecard: timeliness, accuracy and relevance of each feed."""
