# Float reference models for the runtime demos (trained in numpy, quantized to int8 by the runtime).
