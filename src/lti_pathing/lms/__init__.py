"""Completion sources (Moodle, Canvas, CSV), the sync over them, and AGS score passback."""
