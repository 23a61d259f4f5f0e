import os

os.environ.setdefault("PLAIT_DEBUG", "1")  # verify the IR after tracing and every pass
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=8")
