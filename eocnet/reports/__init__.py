"""Documents built from live data (the regional reports; situation reports follow)."""
