"""An evaluation harness for customer-support replies written by LLM chatbots."""

__version__ = "0.1.0"
