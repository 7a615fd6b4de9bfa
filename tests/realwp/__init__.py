"""A real WordPress for the tests: Debian's package, PHP's built-in server, the local MariaDB."""
