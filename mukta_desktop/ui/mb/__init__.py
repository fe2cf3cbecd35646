"""Work orders and Measurement Books on screen: the MB editor window (editor_window.py) and
the work-order and MB sections that open it."""
