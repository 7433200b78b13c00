"""Camera scanning: capture in a worker thread, decode with zxing-cpp, accept a read seen in two consecutive
frames, preview with the code outlined.

    decoders    Decoded, Decoder protocol, ZxingDecoder (the decoder), PyzbarDecoder (optional second backend:
                needs the system zbar library, cannot read Data Matrix), pyzbar_status() for selftest
    pipeline    DecodePipeline: fast pass, a full-options pass every Nth frame, ±20° retry for tilted 1D
                codes, and the two-frame agreement (Consensus)
    sources     FrameSource protocol; OpenCvCamera (cv2.VideoCapture, opencv-python-headless), and the
                simulators ImageSource, VideoFileSource, GeneratedSource
    worker      CameraWorker: capture thread + decode thread (latest frame wins), Qt signals
    preview     CameraPreview: the live picture with found codes outlined, a flash and a beep on success
    synth       generated barcode frames (QR, 20-digit Code 128, Data Matrix, GS1 DM) with degradations,
                for tests, `onewindow bench decode` and the camera simulator
"""
