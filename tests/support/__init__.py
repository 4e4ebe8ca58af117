"""Helpers shared by test tiers (live servers, a form-following browser)."""
