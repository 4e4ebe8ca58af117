"""Hand-written tables and builders for the shipped sample organisation (see make_sample_org.py)."""
