#include "ui/widgets/ImageLabel.h"

#include <QResizeEvent>

namespace ds::ui {

ImageLabel::ImageLabel(QWidget* parent) : QLabel(parent)
{
    setAlignment(Qt::AlignCenter);
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    setBackgroundRole(QPalette::Dark);
    setAutoFillBackground(true);
    setWordWrap(true);
}

void ImageLabel::setImage(const QImage& image)
{
    source_ = QPixmap::fromImage(image);
    rescale();
}

void ImageLabel::setPlaceholder(const QString& text)
{
    source_ = QPixmap();
    clear();
    setText(text);
}

void ImageLabel::resizeEvent(QResizeEvent* event)
{
    QLabel::resizeEvent(event);
    rescale();
}

void ImageLabel::rescale()
{
    if (source_.isNull())
        return;
    setPixmap(source_.scaled(contentsRect().size(), Qt::KeepAspectRatio, Qt::SmoothTransformation));
}

} // namespace ds::ui
