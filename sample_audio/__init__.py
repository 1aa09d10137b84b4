"""Sample conversations with their ground truth, installed as package data (listening_coach.sample_audio)."""
