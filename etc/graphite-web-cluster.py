# graphite-web's local_settings.py on storage host 10.0.0.5 of a Graphite cluster
# (Debian: /etc/graphite/local_settings.py). See docs/scaling.md.

# The caches on this host, as server:query port:instance. The server and instance must
# be the ones lmaster's `[Graphite] destinations` (or carbon-c-relay's carbon_ch
# cluster) gives, so that CarbonLink asks the cache that holds a series' newest points.
CARBONLINK_HOSTS = ["10.0.0.5:7002:a", "10.0.0.5:7102:b"]

# Each cache's whisper files on this host.
STANDARD_DIRS = ["/var/lib/graphite/whisper-a", "/var/lib/graphite/whisper-b"]

# The graphite-webs of every storage host (this one too: graphite-web skips itself).
# Grafana then reads one of them and sees the whole cluster.
CLUSTER_SERVERS = ["10.0.0.5:80", "10.0.0.6:80"]
