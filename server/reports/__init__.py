"""Reports the centre computes from its own records (monthly 两病 reports, 附件4/5/6 of seed 001)."""
