"""The sections of a weekly page, one module each, in the order the page shows them."""
