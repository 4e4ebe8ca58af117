"""lti-pathing: career pathing inside the LMS over LTI 1.3."""
