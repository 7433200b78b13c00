"""Benchmarks for `onewindow bench`; one module per benchmark."""
