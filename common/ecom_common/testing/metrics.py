"""Reading a service's /metrics in tests, as Prometheus parses it."""

from prometheus_client.parser import text_string_to_metric_families


def metric_samples(client, prefix: str = "ecom_") -> dict:
    """``{(sample name, ((label, value), ...)): value}`` of the metrics named ``prefix...``."""
    text = client.get("/metrics").content.decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        if family.name.startswith(prefix)
        for sample in family.samples
    }
