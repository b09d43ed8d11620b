"""One router per capability; each only translates HTTP to library calls and back."""
