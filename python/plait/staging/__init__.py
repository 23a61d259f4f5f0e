"""Staging: Python functions traced into plait modules, concrete values for Python control flow
outside jit, the keys of compiled programs and their cache."""
