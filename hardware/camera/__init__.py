"""Camera scanning: capture in a worker thread, decode with zxing-cpp, accept a read seen in two consecutive
frames, preview with the code outlined.

    decoders    Decoded, Decoder protocol, ZxingDecoder (the decoder), PyzbarDecoder (optional second backend:
                needs the system zbar library, cannot read Data Matrix), pyzbar_status() for selftest
    pipeline    DecodePipeline: one view per frame (upright; every 2nd frame in turn turned 90°, inverted,
                tilted ±20°), a view that found a code is held until it confirms, and the agreement rules
                (Consensus: two frames of the same view; EAN-13/UPC-A three, never beside another number)
    sources     FrameSource protocol; OpenCvCamera (cv2.VideoCapture, opencv-python-headless), and the
                simulators ImageSource, VideoFileSource, GeneratedSource
    worker      CameraWorker: capture thread + decode thread (latest frame wins), Qt signals; set_wanted()
                says which kinds of code this screen takes, the preview says why others are refused
    preview     CameraPreview: the live picture with found codes outlined, a flash and a beep on success
    synth       generated barcode frames (QR, 20-digit Code 128, Data Matrix, GS1 DM) with degradations,
                for tests, `onewindow bench decode` and the camera simulator
"""
