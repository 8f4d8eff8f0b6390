"""What segue tells its operators: metrics (EMF), correlated log lines and traces."""
