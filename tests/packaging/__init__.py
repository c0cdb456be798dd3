"""Packaging: the built sdist and wheel, and a new project installed from the wheel."""
