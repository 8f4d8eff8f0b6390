"""The Step Functions API (AWS JSON 1.0) in front of segue's own services."""
