"""More elementwise math: trigonometric, hyperbolic, rounding and logarithmic ops."""
