"""通政 Tongzheng — unified e-government platform."""
