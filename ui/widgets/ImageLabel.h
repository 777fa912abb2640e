#pragma once
#include <QLabel>
#include <QPixmap>

namespace ds::ui {

// Shows an image scaled to fit its area (aspect ratio kept), or a placeholder text.
class ImageLabel : public QLabel {
    Q_OBJECT
public:
    explicit ImageLabel(QWidget* parent = nullptr);
    void setImage(const QImage& image);
    void setPlaceholder(const QString& text);
    bool hasImage() const { return !source_.isNull(); }
    QSize sizeHint() const override { return {480, 480}; }
    QSize minimumSizeHint() const override { return {160, 160}; }

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void rescale();
    QPixmap source_;
};

} // namespace ds::ui
