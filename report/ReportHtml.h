#pragma once
// The report's content as one HTML text, shared by the HTML file and the PDF (which lays it
// out with QTextDocument, so only the subset of HTML and CSS that QTextDocument reads is
// used). Images are PNG; where they come from is up to the caller.
#include "core/review/ReportData.h"

#include <QByteArray>
#include <QString>

#include <functional>

namespace ds::report {

// Returns the src attribute of an embedded image: a data URI in a file, a resource name in
// a QTextDocument. name is unique within the report.
using ImageSource = std::function<QString(const QString& name, const QByteArray& png)>;

QString reportHtml(const ReportData& report, const ImageSource& imageSource);

} // namespace ds::report
