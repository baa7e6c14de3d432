"""The admin home: what waits for the signed-in person, in panels by role."""
