"""zhen: Chinese official releases into publishable English."""
__version__ = "0.1.0"
