"""The Qt window: camera cards, the latest frame, the server's status."""
