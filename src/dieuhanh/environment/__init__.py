"""Environment sector: air quality (VN_AQI, Decision 1459/QĐ-TCMT) and, later, stations and alerts.

``dieuhanh.environment.aqi`` is pure Python (no Django): the engine, the MQTT writer and the
benchmark use it directly. The Django app (``apps.py``) only carries the ``dieuhanh aqi`` command.
"""
