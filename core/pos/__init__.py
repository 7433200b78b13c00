"""Point-of-sale money that is not the centre's (issue 17), pure Python, no Qt, no SQL:

- tenders.py: how a sale is paid — cash with change, personal account, family account (共济), WeChat Pay, Alipay,
  UnionPay card (each with its reference number; no payment gateway is called) — several per sale, refunds back
  to the tenders they came from, X/Z totals per tender;
- goods.py: non-insured goods by commodity barcode (the local goods catalogue) and the mixed basket: insured lines
  settle with the centre, goods lines are a local cash part of the same sale; one receipt shows both parts.
"""
