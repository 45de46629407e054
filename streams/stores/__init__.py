"""Where agents keep state: tables staged per batch, and the typed stores over them."""
