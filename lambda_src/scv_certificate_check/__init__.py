"""Runtime of the contact center's daily certificate check, shipped by infra/certificate_check.py (Monitoring's unit):
``scv_certificate_check.handler.lambda_handler`` publishes the days the JWT certificate has left."""
