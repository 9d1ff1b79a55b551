"""Messages as the front end sends them, delivered through ipywidgets' own comm-message path."""


def send_custom(widget, content):
    """Deliver ``content`` as the front end's custom message, the way a comm message arrives."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}},
                        "buffers": []})


def send_update(widget, state):
    """Deliver a state update from the front end (the view changed synced traits)."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state}},
                        "buffers": []})
