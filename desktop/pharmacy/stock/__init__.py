"""The pharmacy's stock screens (进销存, issue 18): receiving, returns to the supplier, counts, changes, reports."""
