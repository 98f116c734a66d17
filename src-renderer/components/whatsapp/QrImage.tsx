import { QRCodeSVG } from 'qrcode.react';

/**
 * The pairing QR as an image the phone's camera reads: black on white with a quiet zone, large
 * enough to scan from a laptop screen. The string comes from WhatsApp and changes every ~20 s.
 */
export function QrImage({ value, label }: { value: string; label: string }) {
  return (
    <div className="wa-qr" data-testid="wa-qr">
      <QRCodeSVG
        value={value}
        size={264}
        level="L"
        marginSize={4}
        bgColor="#ffffff"
        fgColor="#111b21"
        role="img"
        aria-label={label}
        data-testid="wa-qr-image"
      />
    </div>
  );
}
