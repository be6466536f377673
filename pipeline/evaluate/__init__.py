"""Accuracy against truth labels: per call (WER, speakers, DER, roles) in calls.py, behaviour events in events.py."""
from .calls import evaluate_folder

__all__ = ["evaluate_folder"]
