"""Runnable examples: a small bookshop domain and agents that use learned skills."""
