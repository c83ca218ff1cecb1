"""A PayNow payload as a QR code image the customer's banking app can scan from the screen."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter

MODULE_PX = 6  # a phone camera reads 6 px modules comfortably from a counter's distance


def qr_image(payload: str, *, module_px: int = MODULE_PX) -> QImage:
    """Black modules on white with the standard 4-module quiet zone; error correction M, as
    SGQR labels use."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(payload)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    size = len(matrix) * module_px
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(QColor(Qt.GlobalColor.white))
    painter = QPainter(image)
    try:
        black = QColor(Qt.GlobalColor.black)
        for y, row in enumerate(matrix):
            for x, dark in enumerate(row):
                if dark:
                    painter.fillRect(x * module_px, y * module_px, module_px, module_px, black)
    finally:
        painter.end()
    return image
