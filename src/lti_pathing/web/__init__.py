"""HTML pages, one package of blueprints per audience (learner, manager, admin)."""
