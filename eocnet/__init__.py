"""eocnet: a secure, real-time platform for a regional network of public-health EOCs."""

__version__ = "0.1.0"
