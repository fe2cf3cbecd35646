"""Estimate screens: the detailed-estimate editor (editor.py and its document, models, grid,
SOR picker and undo commands) and the estimate lists, viewer and workflow screens."""
