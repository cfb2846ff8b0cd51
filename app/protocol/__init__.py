"""What the Alpha Camera REST server speaks: REST calls and typed event streams."""
