"""Prescriptions as documents that travel: the doctor's sig read as numbers (dose), the centre's signature on a
circulating prescription (signature), and the checks every prescription source shares (validate).

No Qt and no database: the centre (upload, 7101), the pharmacy desk (download, cache, paper prescriptions) and the
tests use the same functions, so a prescription the centre signs is verified by exactly the same canonical bytes.
"""
