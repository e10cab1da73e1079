// Package compose checks deploy/docker-compose.yml without Docker: the file
// decodes strictly, every local path it mounts or builds from exists, its
// service references resolve, and the Prometheus configuration it mounts
// passes promtool with the files laid out as the container sees them.
package compose
