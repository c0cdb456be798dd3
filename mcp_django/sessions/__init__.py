"""Legacy (handshake-era) sessions kept in the Django cache."""
