"""The sample CT study's documents, so that every journey can be tried after ./run.sh: the
radiologist's report as a structured report and as a PDF, a key-image selection, a presentation
state, all about the lesion that the public case's own label marks (pyradiomics lung2_label).

Nothing here is a real report: the texts say they are examples. Used by make_samples.py.
"""

import math

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from dicom_items import COMPREHENSIVE_SR, KEY_OBJECT_SELECTION, code, content, save
ENCAPSULATED_PDF = "1.2.840.10008.5.1.4.1.1.104.1"
GSPS = "1.2.840.10008.5.1.4.1.1.11.1"

RADIOLOGIST = "DUPONT^Claire"


def lesion(label, rows, columns, slices, spacing_mm):
    """The label's largest axial cross-section: (slice index, centre row, centre column,
    equivalent diameter in mm), from a mask (an `array` of `slices` x `rows` x `columns`,
    non-zero inside)."""
    frame = rows * columns
    best = None
    for k in range(slices):
        count = frame - label[k * frame : (k + 1) * frame].count(0)
        if count and (best is None or count > best[1]):
            best = (k, count)
    if best is None:
        raise SystemExit("samples: the label marks nothing")
    k, count = best
    plane = label[k * frame : (k + 1) * frame]
    points = [(i // columns, i % columns) for i, v in enumerate(plane) if v]
    row = sum(p[0] for p in points) / len(points)
    column = sum(p[1] for p in points) / len(points)
    area_mm2 = count * spacing_mm[0] * spacing_mm[1]
    return k, row, column, 2.0 * math.sqrt(area_mm2 / math.pi)


def reference(image):
    item = Dataset()
    item.ReferencedSOPClassUID = image.SOPClassUID
    item.ReferencedSOPInstanceUID = image.SOPInstanceUID
    return item


def document(study, uid, sop_class, modality, series_number, description):
    """A new instance in `study`'s patient and study, in a series of its own."""
    ds = Dataset()
    for keyword in ("PatientName", "PatientID", "IssuerOfPatientID", "OtherPatientIDsSequence",
                    "PatientBirthDate", "PatientSex",
                    "StudyInstanceUID", "StudyDate", "StudyTime", "AccessionNumber", "StudyID",
                    "ReferringPhysicianName", "StudyDescription"):
        if keyword in study:
            setattr(ds, keyword, getattr(study, keyword))
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = uid("instance")
    ds.SeriesInstanceUID = uid("series")
    ds.Modality = modality
    ds.SeriesNumber = series_number
    ds.SeriesDescription = description
    ds.InstanceNumber = 1
    ds.ContentDate = study.StudyDate
    ds.ContentTime = "113000"
    ds.Manufacturer = "Portail d'imagerie (exemple)"
    return ds


def report_lines(diameter_mm, slice_number, prior_date):
    """The report's sections: (heading, text)."""
    day = f"{prior_date[6:8]}/{prior_date[4:6]}/{prior_date[0:4]}"
    return [
        ("Indication", "Suivi d'une lésion pulmonaire (exemple de démonstration, pas un vrai patient)."),
        ("Technique", "Scanner thoracique sans injection, coupes de 5 mm."),
        ("Comparaison", f"Scanner thoracique du {day}."),
        ("Constatations", f"Lésion pulmonaire de {diameter_mm:.0f} mm de diamètre (image {slice_number}), "
                          "stable par rapport à l'examen précédent. Pas d'épanchement pleural."),
        ("Conclusion", "Lésion pulmonaire stable (exemple de démonstration)."),
    ]


def structured_report(study, uid, sections, image, diameter_mm):
    ds = document(study, uid, COMPREHENSIVE_SR, "SR", 900, "Compte rendu")
    ds.ValueType = "CONTAINER"
    ds.ContinuityOfContent = "SEPARATE"
    ds.ConceptNameCodeSequence = Sequence([code("18748-4", "LN", "Compte rendu d'imagerie")])
    ds.CompletionFlag = "COMPLETE"
    ds.VerificationFlag = "VERIFIED"
    observer = Dataset()
    observer.VerifyingObserverName = RADIOLOGIST
    observer.VerificationDateTime = study.StudyDate + "114500"
    observer.VerifyingOrganization = "Service d'imagerie (exemple)"
    observer.VerifyingObserverIdentificationCodeSequence = Sequence()
    ds.VerifyingObserverSequence = Sequence([observer])
    headings = {
        "Indication": code("121109", "DCM", "Indication"),
        "Technique": code("121064", "DCM", "Technique"),
        "Comparaison": code("121066", "DCM", "Comparaison"),
        "Constatations": code("121070", "DCM", "Constatations"),
        "Conclusion": code("121076", "DCM", "Conclusion"),
    }
    items = []
    for heading, text in sections:
        section = content("CONTAINS", "CONTAINER", headings[heading], ContinuityOfContent="SEPARATE")
        children = [content("CONTAINS", "TEXT", code("121071", "DCM", "Texte"), TextValue=text)]
        if heading == "Constatations":
            measured = Dataset()
            measured.NumericValue = f"{diameter_mm:.0f}"
            measured.MeasurementUnitsCodeSequence = Sequence([code("mm", "UCUM", "millimètre")])
            children.append(content("CONTAINS", "NUM", code("81827009", "SCT", "Diamètre"),
                                     MeasuredValueSequence=Sequence([measured])))
            children.append(content("CONTAINS", "IMAGE", code("121112", "DCM", "Image de la lésion"),
                                    ReferencedSOPSequence=Sequence([reference(image)])))
        section.ContentSequence = Sequence(children)
        items.append(section)
    ds.ContentSequence = Sequence(items)
    return ds


def pdf_bytes(title, lines):
    """A one-page PDF (Helvetica, WinAnsi text) of `title` and `lines`, written by hand."""
    def text(value):
        raw = value.encode("cp1252")
        return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    def wrap(value, width=88):
        words, out, line = value.split(), [], ""
        for word in words:
            if len(line) + len(word) + 1 > width:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        return out + [line]

    stream = [b"BT /F1 16 Tf 56 780 Td (" + text(title) + b") Tj ET"]
    y = 750
    for heading, body in lines:
        stream.append(b"BT /F2 12 Tf 56 %d Td (" % y + text(heading) + b") Tj ET")
        y -= 16
        for line in wrap(body):
            stream.append(b"BT /F1 11 Tf 56 %d Td (" % y + text(line) + b") Tj ET")
            y -= 14
        y -= 10
    content_stream = b"\n".join(stream)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content_stream) + content_stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_report(study, uid, sections):
    ds = document(study, uid, ENCAPSULATED_PDF, "DOC", 901, "Compte rendu (PDF)")
    title = "Compte rendu : " + study.StudyDescription
    body = pdf_bytes(title, sections + [("Validé par", "Dr Claire Dupont (exemple)")])
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.DocumentTitle = title
    ds.BurnedInAnnotation = "NO"
    ds.ConceptNameCodeSequence = Sequence([code("18748-4", "LN", "Compte rendu d'imagerie")])
    ds.EncapsulatedDocument = body + (b"\0" if len(body) % 2 else b"")
    ds.EncapsulatedDocumentLength = len(body)
    return ds


def key_images(study, uid, images):
    ds = document(study, uid, KEY_OBJECT_SELECTION, "KO", 902, "Images clés")
    ds.ValueType = "CONTAINER"
    ds.ContinuityOfContent = "SEPARATE"
    ds.ConceptNameCodeSequence = Sequence([code("113000", "DCM", "D'intérêt")])
    template = Dataset()
    template.MappingResource, template.TemplateIdentifier = "DCMR", "2010"
    ds.ContentTemplateSequence = Sequence([template])
    items = [content("CONTAINS", "TEXT", code("113012", "DCM", "Key Object Description"),
                     TextValue="Lésion pulmonaire")]
    for image in images:
        item = Dataset()
        item.RelationshipType, item.ValueType = "CONTAINS", "IMAGE"
        item.ReferencedSOPSequence = Sequence([reference(image)])
        items.append(item)
    ds.ContentSequence = Sequence(items)
    series = Dataset()
    series.SeriesInstanceUID = images[0].SeriesInstanceUID
    series.ReferencedSOPSequence = Sequence([reference(i) for i in images])
    evidence = Dataset()
    evidence.StudyInstanceUID = study.StudyInstanceUID
    evidence.ReferencedSeriesSequence = Sequence([series])
    ds.CurrentRequestedProcedureEvidenceSequence = Sequence([evidence])
    return ds


def presentation_state(study, uid, image, centre_rc, radius_px):
    """A lung window and a circle around the lesion with its label, on `image`."""
    ds = document(study, uid, GSPS, "PR", 903, "Fenêtre pulmonaire, lésion")
    ds.ContentLabel = "LESION"
    ds.ContentDescription = "Fenêtre pulmonaire, lésion entourée"
    ds.PresentationCreationDate = study.StudyDate
    ds.PresentationCreationTime = "114000"
    ds.ContentCreatorName = RADIOLOGIST

    def refs():
        return Sequence([reference(image)])

    series = Dataset()
    series.SeriesInstanceUID = image.SeriesInstanceUID
    series.ReferencedImageSequence = refs()
    ds.ReferencedSeriesSequence = Sequence([series])
    ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType = image.RescaleSlope, image.RescaleIntercept, "HU"
    voi = Dataset()
    voi.ReferencedImageSequence = refs()
    voi.WindowCenter, voi.WindowWidth = -600, 1500
    ds.SoftcopyVOILUTSequence = Sequence([voi])
    layer = Dataset()
    layer.GraphicLayer, layer.GraphicLayerOrder = "NOTES", 1
    ds.GraphicLayerSequence = Sequence([layer])
    row, column = centre_rc
    # Pixel coordinates are (column, row), from the top-left corner of the top-left pixel.
    x, y = column + 0.5, row + 0.5
    circle = Dataset()
    circle.GraphicAnnotationUnits, circle.GraphicDimensions = "PIXEL", 2
    circle.NumberOfGraphicPoints, circle.GraphicType, circle.GraphicFilled = 2, "CIRCLE", "N"
    circle.GraphicData = [x, y, x + radius_px, y]
    label = Dataset()
    label.UnformattedTextValue = "Lésion"
    label.AnchorPoint = [x + radius_px + 4, y - radius_px - 4]
    label.AnchorPointAnnotationUnits, label.AnchorPointVisibility = "PIXEL", "N"
    annotation = Dataset()
    annotation.ReferencedImageSequence = refs()
    annotation.GraphicLayer = "NOTES"
    annotation.GraphicObjectSequence = Sequence([circle])
    annotation.TextObjectSequence = Sequence([label])
    ds.GraphicAnnotationSequence = Sequence([annotation])
    ds.PresentationLUTShape = "IDENTITY"
    return ds
