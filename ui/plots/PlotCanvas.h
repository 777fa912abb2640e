#pragma once
#include <qcustomplot.h>

namespace ds::ui {

// QCustomPlot paints into a buffer of its own size; a plot not laid out yet (in a hidden
// dock, say) has none, and painting it only warns ("QPainter::begin: Paint device
// returned engine == 0"). PlotCanvas waits for a size; the first real one replots it.
class PlotCanvas : public QCustomPlot {
public:
    using QCustomPlot::QCustomPlot;

protected:
    void resizeEvent(QResizeEvent* event) override
    {
        if (event->size().isEmpty())
            QWidget::resizeEvent(event);
        else
            QCustomPlot::resizeEvent(event);
    }
};

inline void replotWhenSized(QCustomPlot* plot, QCustomPlot::RefreshPriority priority = QCustomPlot::rpQueuedReplot)
{
    if (plot->width() > 0 && plot->height() > 0)
        plot->replot(priority);
}

} // namespace ds::ui
