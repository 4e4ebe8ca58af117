"""The domain: services take a session, the acting tenant and a clock; none reads the request."""
