"""HTML blueprints per audience (learner, manager, admin) and the landing page."""
